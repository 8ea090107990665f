"""The clips participants hear: which piece each source gives, rendered and excerpted once."""
