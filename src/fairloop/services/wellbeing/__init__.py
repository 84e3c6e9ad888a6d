"""Protecting the people who do the work: exposure to harmful content and check-ins."""
