"""Chartwatch's Dagster code location: definitions, resources, jobs and schedules."""
