"""The thin Qt layer. Everything below recovery_desk.ui is Qt-free."""
