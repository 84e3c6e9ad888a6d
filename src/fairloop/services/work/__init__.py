"""Doing the work: leases, the scheduler's SQL, submissions, scoring, work time,
qualification tests, skills, media and red-team turns."""
