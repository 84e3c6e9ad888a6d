"""What the work is worth as data: votes, aggregation, preference quality, the
quality report and attack success."""
