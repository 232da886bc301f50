"""`campbank serve`: the office UI and the kiosk in any browser, and the JSON API, on one port.

The browser pages run the same Textual app as the terminal, one process per browser session, through
Textualize's textual-serve (its `AppService` and its xterm.js page script); the JSON API is a FastAPI
application mounted at /api/v1. The README tells how to run it.
"""
