"""Use cases: each command runs in one unit of work (one database transaction) that appends its
audit event, its postings and its projection together, or nothing at all.

Entry points (CLI, import, demo, web) call `accord.services.logistics.Logistics`.
"""
