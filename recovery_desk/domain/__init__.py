"""Qt-free domain layer: the vocabulary and the rules that do not need a database."""
