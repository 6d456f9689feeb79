"""finetop's settings: defaults < config.toml < environment < flags, profiles and the key's sources.

No Textual and no HTTP here: the settings are read and checked before anything connects.
"""
