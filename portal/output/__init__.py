"""Write the site: render the planned pages, copy static files and the theme, write
into a staging tree and publish it whole."""
