"""policylint's built-in rules, one module per family, registered through the same
``policylint`` entry-point group as any third-party plugin."""
