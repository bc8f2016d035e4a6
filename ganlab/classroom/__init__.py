"""The classroom: the course's lessons (each a link to a page set up for it), lecture mode's shared run, the quiz, and the BCE cost the first question draws."""
