from policylint.cli import command

command()
