"""finetop: a terminal monitor for Mistral AI fine-tuning jobs."""

__version__ = "0.1.0"
