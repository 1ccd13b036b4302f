"""Training for new cadres: quizzes drawn from the corpus and their grading."""
