"""The case register: schema and opening databases, the stored projection, bulk import, the API and the
demo register.
"""
