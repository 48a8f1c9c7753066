"""Spaced practice of the rules: FSRS cards per trainee and question, sessions, immediate feedback."""
