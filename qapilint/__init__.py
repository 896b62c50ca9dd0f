"""qapilint: review QEMU patches that touch the QAPI schema."""

__version__ = "0.1.0"
