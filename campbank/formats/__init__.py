"""Files in and out: the xlsx report, CSV/JSON exports, roster files and the credentials workbook."""
