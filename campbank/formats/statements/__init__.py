"""Account statements as PDF: `write_statements` (writer.py), drawn by layout.py on canvas.py."""
