"""autograders: hidden-seed evaluation, sandboxed autograding, criterion mapping, reports."""
