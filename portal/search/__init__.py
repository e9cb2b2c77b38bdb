"""Site search: indexed copies of the pages, the Pagefind index, its cache."""
