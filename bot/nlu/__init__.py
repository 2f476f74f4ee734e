"""NLU: the sentence classifier and its Rasa component."""
