/**
 * The GraphQL API and file downloads: the signed-in {@link org.anatwin.api.CurrentActor}, error
 * mapping to stable codes. Controllers live in one package per feature.
 */
@NullMarked
package org.anatwin.api;

import org.jspecify.annotations.NullMarked;
