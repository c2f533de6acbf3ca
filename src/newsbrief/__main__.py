"""``python -m newsbrief``: the command-line interface."""

from newsbrief.cli import main

if __name__ == "__main__":
    main()
