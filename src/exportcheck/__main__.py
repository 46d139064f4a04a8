"""Entry point for ``python -m exportcheck``."""

from exportcheck.cli import main

if __name__ == "__main__":
    main()
