"""fairloop: the human work behind AI training, done fairly."""

__version__ = "0.1.0"
