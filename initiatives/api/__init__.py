"""The open data's read-only JSON API, version 1 (/api/v1/): Django REST framework, documented
by drf-spectacular. Reads go through the selectors, as the pages' do."""
