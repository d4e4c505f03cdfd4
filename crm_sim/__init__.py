"""crm_sim: a simulated Hong Kong CRM company. No Jupyter, no grading: a plain Python engine."""
