"""Organisation: departments (a tree), people, their roles and memberships."""
