// Placeholder so the layer links before its first source lands; remove when it has one.
