"""Simulated phones for tests and the demo: they fetch their configs the way each vendor's devices do."""
