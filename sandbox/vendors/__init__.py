"""One module per vendor; each defines EMULATOR, an Emulator subclass (found by sandbox.app)."""
