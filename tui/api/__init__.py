"""The wire contract: models, the converter and the HTTP client. Imports no Textual."""
