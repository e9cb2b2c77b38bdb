"""The output stage: claim the output folder (claim.py), render the planned pages
(render.py, with the security headers of headers.py), copy static files and the theme
(assets.py), write into a staging tree and publish it whole (write.py, which brings the
spare tree of spare.py up to date with the disk work of disk.py and records each tree
in the manifests of manifests.py)."""
