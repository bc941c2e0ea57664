/** An HTTP header name: RFC 9110 token characters, at most 128 of them. */
export const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
