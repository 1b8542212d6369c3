"""Cameras, decoders, USB scanners and printers behind small interfaces."""
