"""Rasa-side Python for Safeline: the localised NLG class, response rendering, model builds."""
