"""The manager's xlsx report: sheets with spreadsheet habits, rows streamed into the file openpyxl writes."""
