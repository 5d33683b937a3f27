from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "passage.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from passage.core.dashboard import register_tiles
        from passage.registry import job_kinds, sealed_files  # noqa: F401  (registers the registry's job kinds)
        from passage.registry.queries import dashboard_tiles

        register_tiles(dashboard_tiles)
        sealed_files.register()  # import files and photos, for key rotation
