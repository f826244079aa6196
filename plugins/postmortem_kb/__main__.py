"""``python -m postmortem_kb`` runs the ``pmkb`` command line."""

from postmortem_kb.cli import main

if __name__ == "__main__":
    main()
