"""Data files trainers edit: the materials standard and the code labels."""
