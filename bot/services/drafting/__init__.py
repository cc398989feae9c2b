"""bot/services/drafting"""
