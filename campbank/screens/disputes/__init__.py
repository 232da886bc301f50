"""Disputes in the UI: the student's question dialog and list, the thread both sides read, the staff queue."""
