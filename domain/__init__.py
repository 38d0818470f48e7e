"""The business of 进销存: pure Python, no database, chat or drawing imports."""
