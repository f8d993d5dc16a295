// Placeholder: the admin page registers itself here.
export {};
