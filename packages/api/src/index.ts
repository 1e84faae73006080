export const API_VERSION = '1.1.6'
