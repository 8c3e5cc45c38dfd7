"""Implements nothing."""

VALUE = 1
