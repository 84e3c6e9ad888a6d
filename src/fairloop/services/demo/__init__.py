"""The demo instance: its users, projects and items."""
