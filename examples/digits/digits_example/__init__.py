"""A small model project on scikit-learn's bundled digits, tested with shiftwatch.

``data`` turns images into the feature table, ``model`` trains and evaluates the
classifier, ``monitoring`` configures the production monitor, ``pipeline`` runs it all end
to end, and ``reference`` writes the checked-in reference profile.
"""
