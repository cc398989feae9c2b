"""bot/daemon"""
