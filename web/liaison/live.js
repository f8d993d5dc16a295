// Placeholder: the live page registers itself here.
export {};
