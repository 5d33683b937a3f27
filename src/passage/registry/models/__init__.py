from passage.registry.models.locations import AdminArea, Site, SiteType

__all__ = ["AdminArea", "Site", "SiteType"]
