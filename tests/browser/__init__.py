"""End-to-end tests of the built site in Chromium (a package, so its conftest is not the suite's)."""
